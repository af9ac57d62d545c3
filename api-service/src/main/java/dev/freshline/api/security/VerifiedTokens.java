package dev.freshline.api.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;

/**
 * Verifies each distinct bearer token once, not on every request. A client sends the same token
 * for its whole lifetime, and checking its RS256 signature and parsing its claims costs more than
 * serving a cache hit (measured: more than half a no-op's throughput). A token is remembered by its
 * exact text, so only bytes that the delegate verified are ever let through; a remembered token is
 * checked for expiry on every use (as the delegate would, with the same clock skew) and verified
 * again after {@link #REVERIFY_AFTER}, the time Spring's decoder caches a JWK set, so a key removed
 * from the issuer's set stops working here no later than it would without this class.
 */
final class VerifiedTokens implements JwtDecoder {

	static final Duration REVERIFY_AFTER = Duration.ofMinutes(5);

	/** A flood of distinct tokens costs verification again, never memory: the map is emptied when full. */
	static final int CAPACITY = 10_000;

	private final JwtDecoder delegate;

	private final Clock clock;

	private final JwtTimestampValidator expiry = new JwtTimestampValidator();

	private final Map<String, Verified> verified = new ConcurrentHashMap<>();

	VerifiedTokens(JwtDecoder delegate) {
		this(delegate, Clock.systemUTC());
	}

	VerifiedTokens(JwtDecoder delegate, Clock clock) {
		this.delegate = delegate;
		this.clock = clock;
		this.expiry.setClock(clock);
	}

	@Override
	public Jwt decode(String token) throws JwtException {
		Instant now = this.clock.instant();
		Verified known = this.verified.get(token);
		if (known != null && now.isBefore(known.at().plus(REVERIFY_AFTER))) {
			OAuth2TokenValidatorResult current = this.expiry.validate(known.jwt());
			if (!current.hasErrors()) {
				return known.jwt();
			}
			// expired since: the delegate refuses it with its own message
			this.verified.remove(token);
		}
		Jwt jwt = this.delegate.decode(token);
		if (this.verified.size() >= CAPACITY) {
			this.verified.clear();
		}
		this.verified.put(token, new Verified(jwt, now));
		return jwt;
	}

	private record Verified(Jwt jwt, Instant at) {
	}
}
