package dev.freshline.model;

/**
 * One key to invalidate and the version its floor must reach. Entities carry the row version
 * of the change (a fill of anything older is refused); collections carry {@link #NO_FLOOR} and
 * rely on leases alone; deleted rows carry {@link #DELETED}, above any version a row can reach.
 */
public record Invalidation(String key, long floor) {

	public static final long NO_FLOOR = 0;

	/** 2^53: exact in Redis' Lua numbers (doubles), and beyond any version a row will reach. */
	public static final long DELETED = 1L << 53;
}
