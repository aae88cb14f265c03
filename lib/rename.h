/* rename: moving a file to a new name, never over an existing one. */
#ifndef MQ_RENAME_H
#define MQ_RENAME_H

/* Renames fromfd/from to tofd/to unless tofd/to exists: then -1 with
 * EEXIST, a lost race, and nothing is changed. But when tofd/to already
 * is the same file (a move a crash left half done) and flags has
 * MQ_RENAME_FINISH, from is unlinked and the move is complete (0); a
 * claim, which must win its name itself, does not set it. On Linux,
 * renameat2's RENAME_NOREPLACE; where the kernel or the file system
 * lacks it, link(2) then unlink(2) (between the two the file has both
 * names). 0, or -1 with errno set. */
int mq_rename(int fromfd, const char *from, int tofd, const char *to,
    int flags);
enum { MQ_RENAME_FINISH = 1 };

/* From now on link and unlink, not renameat2 (a network file system,
 * where it is refused: one round trip less a move). */
void mq_rename_by_link(void);
#endif
