/* The ceiling: a plain libmicrohttpd server answering "hello" with the same threading as
 * `vigie serve` (internal polling thread, thread pool of 2 x cores). Used by bench/api/run.sh
 * to measure what the machine and libmicrohttpd allow before vigie does any work.
 * usage: hello PORT */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size;
    static int first;
    if (*con_cls == NULL) {
        *con_cls = &first;
        return MHD_YES;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(6, (void *)"hello\n", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO,
                                            (unsigned short)strtoul(argv[1], NULL, 10), NULL, NULL,
                                            answer, NULL, MHD_OPTION_THREAD_POOL_SIZE,
                                            (unsigned)(n > 0 ? n * 2 : 4), MHD_OPTION_END);
    if (!d)
        return 1;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
