package dev.freshline.api.web;

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

	@ExceptionHandler(NotFoundException.class)
	ProblemDetail notFound(NotFoundException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
		problem.setTitle("Not found");
		return problem;
	}
}
