/* writeback: starting a file's write to disk before it is fsynced. */
#ifndef MQ_WRITEBACK_H
#define MQ_WRITEBACK_H

/* Starts writing fd's dirty pages out and returns at once (Linux's
 * sync_file_range; elsewhere nothing). A hint: only fsync makes the
 * file durable. A batch that starts each file's writeback as it is
 * written, and fsyncs them all afterwards, finds most of the work done
 * (and, on a journaling file system, many files' blocks allocated in
 * one commit) when it gets to the fsyncs. */
void mq_writeback(int fd);

#endif
