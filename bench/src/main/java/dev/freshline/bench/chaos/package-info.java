/**
 * {@code scripts/chaos}: one fault per scenario (kills, pauses, restarts, poison records) injected
 * into the launcher's stack while readers on both API instances and raw-SQL writers record every
 * read and commit; after each fault ends and the pipeline is quiet, the promises are checked: no
 * cached entry older than its row (I1), every read's staleness (I2), no 5xx or timed-out read
 * (I3), and how long the stack took to serve hits again.
 */
@NullMarked
package dev.freshline.bench.chaos;

import org.jspecify.annotations.NullMarked;
