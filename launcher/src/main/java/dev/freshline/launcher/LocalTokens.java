package dev.freshline.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import dev.freshline.embedded.LocalIssuer;

/**
 * The run's credentials for the API: a fresh signing key, whose public half goes into the run
 * directory for the API instances, and the two tokens a user of the local stack needs, a reader's
 * and an admin's. The private key is dropped once they are minted, so nothing else can be signed
 * with it: a new run makes new tokens.
 */
record LocalTokens(Path publicKey, String readerToken, String adminToken, Instant expiresAt) {

	static LocalTokens issue(Path run) throws IOException {
		LocalIssuer issuer = LocalIssuer.generate();
		Instant expiresAt = Instant.now().plus(LocalIssuer.LOCAL_TOKEN_LIFETIME);
		Path publicKey = issuer.writePublicKey(run.resolve("jwt-public.pem"));
		return new LocalTokens(publicKey, issuer.mint("local-reader", expiresAt, LocalIssuer.READER_SCOPES),
				issuer.mint("local-admin", expiresAt, LocalIssuer.ADMIN_SCOPES), expiresAt);
	}

	StackInfo.Auth info() {
		return new StackInfo.Auth(this.readerToken, this.adminToken, this.expiresAt.toString());
	}

	@Override
	public String toString() {
		// a record prints its components: keep the tokens out of any log line that prints this
		return "LocalTokens[publicKey=" + this.publicKey + ", expiresAt=" + this.expiresAt + "]";
	}
}
