/*
 * settime64 SECONDS [DIR...]: sets the guest's wall clock (CLOCK_REALTIME) to
 * SECONDS since 1970, then gives every file under the DIRs (not crossing into
 * other file systems) whose access or modification time lies beyond the
 * clock the time of now.
 *
 * A test helper of the router scenarios on 32-bit guests, built with a 64-bit
 * time_t (-D_TIME_BITS=64) by the VM harness: the guests' own programs have
 * a 32-bit time_t, so they can neither set a clock past 19 January 2038 nor
 * stat a file whose times lie beyond it (EOVERFLOW: even `rm` and the shell's
 * PATH search fail). The scenario sets the clock ahead, ends the session,
 * and puts the clock back with the directories the session wrote to.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static struct timespec now;

static int bring_back(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_NS || st->st_atim.tv_sec > now.tv_sec || st->st_mtim.tv_sec > now.tv_sec)
		utimensat(AT_FDCWD, path, NULL, AT_SYMLINK_NOFOLLOW);
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec t = { 0, 0 };
	char *end;
	int i;

	if (sizeof(time_t) != 8) {
		fputs("settime64: built without a 64-bit time_t\n", stderr);
		return 2;
	}
	if (argc < 2) {
		fputs("usage: settime64 SECONDS [DIR...]\n", stderr);
		return 2;
	}
	t.tv_sec = strtoll(argv[1], &end, 10);
	if (*end != '\0' || t.tv_sec < 0) {
		fputs("settime64: SECONDS must be a number\n", stderr);
		return 2;
	}
	if (clock_settime(CLOCK_REALTIME, &t) != 0) {
		perror("settime64: clock_settime");
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 2; i < argc; i++)
		nftw(argv[i], bring_back, 16, FTW_PHYS | FTW_MOUNT);
	return 0;
}
