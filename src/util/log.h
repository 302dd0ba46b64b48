/* Logging to stderr with a level. Only the outer layers log (cli/, http/ and the api/
 * handlers); library modules, app/ included, return errors for them to report. */
#ifndef VG_LOG_H
#define VG_LOG_H

enum vg_log_level { VG_LOG_DEBUG, VG_LOG_INFO, VG_LOG_WARN, VG_LOG_ERROR };

void vg_log_set_level(enum vg_log_level level);
void vg_log(enum vg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define vg_info(...)  vg_log(VG_LOG_INFO, __VA_ARGS__)
#define vg_warn(...)  vg_log(VG_LOG_WARN, __VA_ARGS__)
#define vg_error(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)

#endif
