package dev.freshline.cache;

import org.jspecify.annotations.Nullable;

/** What became of a {@link FillCommands#fill}: stored, or refused and why. */
public enum FillOutcome {

	/** The value is stored; the lease was given back. */
	STORED,

	/** The caller no longer held the lease: the key was invalidated (or the lease expired) meanwhile. */
	LEASE_LOST,

	/** The caller held the lease, but its version is below the key's floor: an older row than the last change. */
	BELOW_FLOOR;

	/** The FILL script's reply: 1 stored, 0 lease lost, -1 below the floor; no reply counts as lost. */
	static FillOutcome of(@Nullable Long reply) {
		if (reply != null && reply == 1) {
			return STORED;
		}
		return (reply != null && reply < 0) ? BELOW_FLOOR : LEASE_LOST;
	}
}
