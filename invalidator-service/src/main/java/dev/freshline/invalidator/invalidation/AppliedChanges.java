package dev.freshline.invalidator.invalidation;

import java.util.Collection;
import java.util.List;

import dev.freshline.model.ChangeEvent;
import dev.freshline.model.Invalidation;

/**
 * Told of the changes of a poll once Redis confirmed their invalidations, with the keys each
 * invalidated: what the consistency inspector checks later. Called on the listener's thread, so
 * it must return at once.
 */
public interface AppliedChanges {

	AppliedChanges NONE = (changes) -> {
	};

	/** One applied change and the keys its plan invalidated (its tags and flushes are not keys). */
	record Applied(ChangeEvent event, Collection<Invalidation> invalidations) {
	}

	void applied(List<Applied> changes);
}
