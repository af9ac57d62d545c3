package dev.freshline.api.freshness;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Answers a committed write with its commit position in {@code Freshline-After}, so the client
 * can send it with a read to any instance and read its own write there. The position is
 * {@code pg_current_wal_insert_lsn()} read after the commit returned: at or past the end of the
 * write's commit record whatever {@code synchronous_commit} says, so a watermark that covers it
 * covers the write. (It may also cover later WAL; the fence then waits for the next commit, a
 * heartbeat at the latest.)
 */
@Component
public class CommitPositions {

	private static final Logger log = LoggerFactory.getLogger(CommitPositions.class);

	private final JdbcClient jdbc;

	CommitPositions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Sets {@code Freshline-After} on the current response; a write that just committed calls it. */
	public void answerWithCommitPosition() {
		if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request)) {
			return;
		}
		HttpServletResponse response = request.getResponse();
		if (response == null) {
			return;
		}
		try {
			String position = this.jdbc.sql("SELECT pg_current_wal_insert_lsn()::text").query(String.class).single();
			response.setHeader(ReadAfter.HEADER, position);
		}
		catch (RuntimeException ex) {
			// the write committed: a missing header costs the client its read-your-writes, not the write
			log.warn("Could not read the commit position for {} ({})", ReadAfter.HEADER, ex.toString());
		}
	}
}
