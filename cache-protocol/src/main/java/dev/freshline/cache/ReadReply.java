package dev.freshline.cache;

/**
 * What {@link FillCommands#read} found: a cached value, or whether the caller now holds the lease
 * (load and fill) or another caller does (wait for its fill).
 *
 * @param stored on a {@link Outcome#HIT}, the value as stored, header included; empty otherwise
 */
public record ReadReply(Outcome outcome, byte[] stored) {

	private static final byte[] NONE = new byte[0];

	static ReadReply hit(byte[] stored) {
		return new ReadReply(Outcome.HIT, stored);
	}

	static ReadReply of(Outcome outcome) {
		return new ReadReply(outcome, NONE);
	}

	/**
	 * The JSON of a hit, out of its {@link CachedValue} header: empty for a cached "not found"
	 * (and when there was no hit).
	 *
	 * @throws IllegalArgumentException if the stored value is shorter than its header
	 */
	public byte[] body() {
		return (this.outcome == Outcome.HIT) ? CachedValue.body(this.stored) : NONE;
	}

	/** The three answers of the READ script ({@link LuaScripts#HIT}, LEASED, BUSY). */
	public enum Outcome {

		/** The value is cached. */
		HIT,

		/** The caller holds the lease: it should load and fill, or release. */
		LEASED,

		/** Another caller holds the lease. */
		BUSY
	}
}
