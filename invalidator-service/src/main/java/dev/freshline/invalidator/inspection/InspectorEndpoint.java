package dev.freshline.invalidator.inspection;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.stereotype.Component;

import dev.freshline.model.Consistency;

/**
 * {@code /actuator/inspector} on the management port: the inspector's figures, and a switch that
 * pauses and resumes it without a restart (an operator whose Redis is short of headroom; the
 * benchmark, which measures its cost in alternating windows of one process). Not exposed unless
 * {@code management.endpoints.web.exposure.include} names it: the management port asks for no
 * token, and a paused inspector stops a check, never a protection.
 */
@Component
@Endpoint(id = "inspector")
class InspectorEndpoint {

	private final ConsistencyInspector inspector;

	InspectorEndpoint(ConsistencyInspector inspector) {
		this.inspector = inspector;
	}

	@ReadOperation
	State state() {
		return State.of(this.inspector);
	}

	/** {@code POST {"active": false}} pauses; changes applied from then on are not read back. */
	@WriteOperation
	State switchTo(boolean active) {
		this.inspector.activate(active);
		return State.of(this.inspector);
	}

	record State(boolean active, long checked, long inconsistent, String nines) {

		static State of(ConsistencyInspector inspector) {
			Consistency consistency = inspector.consistency();
			return new State(inspector.active(), consistency.checked(), consistency.inconsistent(), consistency.describe());
		}
	}
}
