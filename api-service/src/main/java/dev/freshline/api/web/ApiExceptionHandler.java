package dev.freshline.api.web;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.freshline.api.freshness.ReadAfter;
import dev.freshline.model.InvalidIdException;

/**
 * Maps our exceptions to problem details; Spring MVC's own (validation, bad JSON, wrong method)
 * are handled by the superclass. Messages never echo the rejected input back.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

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
}
