package dev.freshline.model;

/**
 * The OAuth2 scopes the API checks, named once: the API's security rules, the local token issuer
 * and the tests all spell them from here, so a renamed scope cannot leave a token that no longer
 * grants what its holder expects.
 */
public final class Scopes {

	/** Patients and ward censuses: personal data. */
	public static final String PATIENTS_READ = "patients.read";

	/** Hospital formularies. */
	public static final String FORMULARY_READ = "formulary.read";

	/** Writes, cache flushes, tag invalidations and the actuator beyond the health probes. */
	public static final String ADMIN = "admin";

	private Scopes() {
	}
}
