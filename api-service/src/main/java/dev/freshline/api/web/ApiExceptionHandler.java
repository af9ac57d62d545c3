package dev.freshline.api.web;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.RedisCommandExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.freshline.api.freshness.ReadAfter;
import dev.freshline.cache.CacheCommandException;
import dev.freshline.model.InvalidIdException;

/**
 * Maps our exceptions to problem details; Spring MVC's own (validation, bad JSON, wrong method)
 * are handled by the superclass. Messages never echo the rejected input back.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

	/** About a Redis failover (2-3 s measured) or a database connection coming back. */
	private static final Duration RETRY_AFTER = Duration.ofSeconds(2);

	/** Redis error replies that say the server or cluster cannot serve now, not that the command is wrong. */
	private static final List<String> UNAVAILABLE_REPLIES = List.of("CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "LOADING");

	@ExceptionHandler(InvalidIdException.class)
	ProblemDetail invalidId(InvalidIdException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("Invalid id");
		return problem;
	}

	@ExceptionHandler(ReadAfter.InvalidReadAfterException.class)
	ProblemDetail invalidReadAfter(ReadAfter.InvalidReadAfterException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("Invalid " + ReadAfter.HEADER);
		return problem;
	}

	/**
	 * A write that would take a unique value (a patient's MRN, a drug code within a hospital)
	 * another row holds. Neither the value nor Postgres' message (which quotes it) goes into the
	 * answer or a log: an MRN is patient data.
	 */
	@ExceptionHandler(DuplicateKeyException.class)
	ProblemDetail conflict(DuplicateKeyException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
				"A unique value of this request (such as an MRN) belongs to another record");
		problem.setTitle("Conflict");
		return problem;
	}

	@ExceptionHandler(NotFoundException.class)
	ProblemDetail notFound(NotFoundException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
		problem.setTitle("Not found");
		return problem;
	}

	/**
	 * A server the request needs did not answer: Postgres (a read that missed, a write) or Redis
	 * (a cache repair, which is Redis alone; reads fail open to Postgres instead). A 503 with
	 * Retry-After says what a 500 does not: the request was fine and may be sent again. Reads and
	 * repairs (idempotent) are safe to repeat; so is a write whose transaction failed, and one that
	 * lost its connection while committing may have committed, so a repeated PUT or DELETE is
	 * harmless and a repeated create may answer 409. An error Redis did answer (a wrong type, a
	 * script error) is a defect and stays a 500, unless it says the cluster cannot serve now.
	 */
	@ExceptionHandler({ CacheCommandException.class, DataAccessResourceFailureException.class,
			TransientDataAccessException.class, RedisSystemException.class })
	ResponseEntity<ProblemDetail> unavailable(RuntimeException ex) throws RuntimeException {
		if (refusedByRedis(ex)) {
			throw ex; // rethrowing the exception handled lets Spring MVC answer it as it would have: a 500
		}
		log.warn("Answered 503, a server did not answer: {}", ex.toString());
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"The database or the cache did not answer; retry the request");
		problem.setTitle("Service unavailable");
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER.toSeconds()))
			.body(problem);
	}

	/**
	 * Whether Redis answered the command with an error reply other than one saying it cannot serve
	 * now. Everything else Lettuce raises (not connected, commands rejected while disconnected, a
	 * reset connection, a timeout) means Redis did not answer.
	 */
	private static boolean refusedByRedis(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RedisCommandExecutionException reply) {
				String message = String.valueOf(reply.getMessage());
				return UNAVAILABLE_REPLIES.stream().noneMatch(message::startsWith);
			}
		}
		return false;
	}
}
