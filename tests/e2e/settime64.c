/*
 * settime64 SECONDS PID FILE [DIR...]: sets the guest's wall clock
 * (CLOCK_REALTIME) to SECONDS since 1970, sends SIGTERM to PID, waits (up to
 * 10 s) until FILE holds a document with "state":"down", prints FILE, puts
 * the clock back where it was (plus the time that passed), and gives every
 * file under the DIRs (not crossing into other file systems) whose access or
 * modification time lies beyond the clock the time of now. Exit 0 if the
 * document came, 1 if not or on an error.
 *
 * A test helper of the router scenarios on 32-bit guests, built with a 64-bit
 * time_t (-D_TIME_BITS=64) by the VM harness. The guests' own programs have a
 * 32-bit time_t: they can neither set a clock past 19 January 2038 nor stat
 * a file whose times lie beyond it (EOVERFLOW), and the shell's timed waits
 * read the wall clock; so nothing of theirs runs while the clock is ahead:
 * this one program does all of it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct timespec now;

static int bring_back(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_NS || st->st_atim.tv_sec > now.tv_sec || st->st_mtim.tv_sec > now.tv_sec)
		utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/* FILE's first bytes into buf (NUL-terminated; empty if unreadable). */
static void slurp(const char *file, char *buf, size_t size)
{
	ssize_t n = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

int main(int argc, char **argv)
{
	struct timespec set = { 0, 0 }, was, m0, m1, tick = { 0, 100000000 };
	char doc[4096] = "";
	char *end;
	long pid;
	int i, found = 0;

	if (sizeof(time_t) != 8) {
		fputs("settime64: built without a 64-bit time_t\n", stderr);
		return 1;
	}
	if (argc < 4) {
		fputs("usage: settime64 SECONDS PID FILE [DIR...]\n", stderr);
		return 1;
	}
	set.tv_sec = strtoll(argv[1], &end, 10);
	pid = strtol(argv[2], NULL, 10);
	if (*end != '\0' || set.tv_sec < 0 || pid <= 0) {
		fputs("settime64: SECONDS and PID must be numbers\n", stderr);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &was);
	clock_gettime(CLOCK_MONOTONIC, &m0);
	if (clock_settime(CLOCK_REALTIME, &set) != 0) {
		perror("settime64: clock_settime");
		return 1;
	}
	kill((pid_t)pid, SIGTERM);
	for (i = 0; i < 100 && !found; i++) {
		slurp(argv[3], doc, sizeof(doc));
		found = strstr(doc, "\"state\":\"down\"") != NULL;
		if (!found)
			nanosleep(&tick, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &m1);
	was.tv_sec += m1.tv_sec - m0.tv_sec;
	if (clock_settime(CLOCK_REALTIME, &was) != 0)
		perror("settime64: clock_settime (back)");
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 4; i < argc; i++)
		nftw(argv[i], bring_back, 16, FTW_PHYS | FTW_MOUNT);
	fputs(doc, stdout);
	return found ? 0 : 1;
}
