/* writeback: starting a file's write to disk before it is fsynced.
 *
 * With delayed allocation (ext4, xfs, btrfs) a written file has no
 * blocks until its pages are written out, and each fsync of such a
 * file allocates them and waits for a journal commit of its own. A batch
 * of puts starts every file's writeback as soon as the file is written
 * (SYNC_FILE_RANGE_WRITE queues the pages and returns), so the disk works
 * while the next message is read, and the fsyncs that follow mostly find
 * their file written and its allocation committed along with others'.
 * Durability is still each file's fsync: this is only a head start.
 */
#ifdef __linux__
#define _GNU_SOURCE		/* sync_file_range */
#endif
#include <fcntl.h>

#include "writeback.h"

void
mq_writeback(int fd)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
	/* Errors are the fsync's to report (EINVAL: a file system
	 * without it, ESPIPE: not a file). */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}
