/* A minimal SMTP sink for the outbound mail benchmark (bench/mail/send.sh): accepts on
 * 127.0.0.1:PORT, one process per connection, answers 250 to everything of a plain SMTP
 * session (EHLO, MAIL, RCPT, DATA, RSET, NOOP; 221 to QUIT) and appends the Message-ID of each
 * message received to OUT, one a line. Not a server to expose: no limits but the line's. It
 * exists because aiosmtpd (about 1,000 messages/s on this machine) would be the bottleneck.
 *   sink PORT OUT   (prints "ready" once listening; stops on SIGTERM) */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct conn {
    int fd;
    char buf[65536];
    size_t len, off;
};

/* One line (CRLF removed) into line (cap bytes, cut if longer). 0, or -1 at EOF. */
static int read_line(struct conn *c, char *line, size_t cap)
{
    size_t n = 0;
    for (;;) {
        while (c->off < c->len) {
            char ch = c->buf[c->off++];
            if (ch == '\n') {
                if (n && line[n - 1] == '\r')
                    n--;
                line[n] = '\0';
                return 0;
            }
            if (n + 1 < cap)
                line[n++] = ch;
        }
        ssize_t r = read(c->fd, c->buf, sizeof c->buf);
        if (r <= 0)
            return -1;
        c->len = (size_t)r;
        c->off = 0;
    }
}

static void say(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void serve(int fd, int out)
{
    struct conn c = {.fd = fd};
    char line[8192];
    say(fd, "220 sink ESMTP\r\n");
    while (!read_line(&c, line, sizeof line)) {
        if (!strncasecmp(line, "EHLO", 4)) {
            say(fd, "250-sink\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n");
        } else if (!strncasecmp(line, "QUIT", 4)) {
            say(fd, "221 bye\r\n");
            break;
        } else if (!strncasecmp(line, "DATA", 4)) {
            say(fd, "354 go\r\n");
            char mid[1024] = "";
            int head = 1;
            while (!read_line(&c, line, sizeof line) && strcmp(line, ".")) {
                if (!*line)
                    head = 0;
                else if (head && !strncasecmp(line, "Message-ID:", 11))
                    snprintf(mid, sizeof mid, "%s\n", line + 11 + (line[11] == ' '));
            }
            if (mid[0] && write(out, mid, strlen(mid)) < 0)
                break;
            say(fd, "250 2.0.0 stored\r\n");
        } else {
            say(fd, "250 ok\r\n");
        }
    }
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: sink PORT OUT\n");
        return 2;
    }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)strtol(argv[1], NULL, 10))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (out < 0 || s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) {
        perror("sink");
        return 1;
    }
    signal(SIGCHLD, SIG_IGN);
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int fd = accept(s, NULL, NULL);
        if (fd < 0)
            continue;
        if (fork() == 0) {
            close(s);
            serve(fd, out);
            _exit(0);
        }
        close(fd);
    }
}
