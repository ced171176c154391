/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * syslog-sink.c - a minimal syslog receiver for tests: binds a datagram
 * socket at SOCKET (normally /dev/log inside a private mount namespace)
 * and appends every message received, one per line, to OUTFILE.  Runs
 * until it is killed.  Bytes outside printable ASCII are written as \xHH,
 * so a test can see that a sender wrote no raw control bytes.
 *
 *   syslog-sink SOCKET OUTFILE
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int record(int out, const unsigned char *msg, size_t len)
{
	char line[4 * 8192 + 2];
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (msg[i] >= 0x20 && msg[i] < 0x7f && msg[i] != '\\')
			line[o++] = (char)msg[i];
		else
			o += (size_t)snprintf(line + o, sizeof(line) - o, "\\x%02x", msg[i]);
	}
	line[o++] = '\n';
	return write_all(out, line, o);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	unsigned char msg[8192];
	int s, out;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: syslog-sink SOCKET OUTFILE\n");
		return 2;
	}
	if ((out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "syslog-sink: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "syslog-sink: socket: %s\n", strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	umask(0);	/* every local user may log, as with the real /dev/log */
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "syslog-sink: bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = recv(s, msg, sizeof(msg), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "syslog-sink: recv: %s\n", strerror(errno));
			return 1;
		}
		if (record(out, msg, (size_t)n) != 0) {
			fprintf(stderr, "syslog-sink: write %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
	}
}
