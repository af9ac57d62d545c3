package dev.freshline.cache;

/** Redis did not confirm a command; the operation is idempotent and may be retried as a whole. */
public class CacheCommandException extends RuntimeException {

	public CacheCommandException(String message, Throwable cause) {
		super(message, cause);
	}
}
