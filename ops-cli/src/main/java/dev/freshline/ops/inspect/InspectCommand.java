package dev.freshline.ops.inspect;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.freshline.cache.audit.CachedEntryAudit;
import dev.freshline.model.Namespace;
import dev.freshline.ops.Clients;
import dev.freshline.ops.ConnectionOptions;
import dev.freshline.ops.ConnectionOptions.PostgresRole;
import dev.freshline.ops.Endpoints;
import dev.freshline.ops.Ops;
import dev.freshline.ops.OpsException;

/**
 * Compares cached entries with Postgres on demand, with the audit the torture checker and chaos
 * give their I1 verdict with ({@link CachedEntryAudit}), and with {@code --repair} invalidates
 * each stale entry by the protocol's own INVALIDATE. Everything the operator types is checked
 * before Redis or Postgres is touched: a namespace of the rules, a positive sample.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
		description = { "Compare the cached entries of every namespace (or one) with Postgres by id and version, "
				+ "SCAN only; print a table per namespace and 'RESULT checked=<n> stale=<n> repaired=<n>'.",
				"Exit 1 while stale entries are left unrepaired." })
public final class InspectCommand implements Callable<Integer> {

	private static final Pattern SAMPLE = Pattern.compile("[1-9][0-9]{0,8}");

	@Mixin
	ConnectionOptions connection;

	@Option(names = "--namespace", paramLabel = "NAMESPACE",
			description = "One namespace of the rules, e.g. patient (default: every namespace)")
	@Nullable String namespace;

	@Option(names = "--sample", paramLabel = "K",
			description = "At most K entries per namespace: the first K the SCAN yields (default: every entry)")
	@Nullable String sample;

	@Option(names = "--repair",
			description = "Invalidate each stale entry (value and lease deleted; an entity's floor raised to its row's "
					+ "version, so the next read fills the current row)")
	boolean repair;

	@Option(names = "--jdbc-url", paramLabel = "URL",
			description = "The database (env POSTGRES_HOST, POSTGRES_PORT, POSTGRES_DB; default: the local stack)")
	@Nullable String jdbcUrl;

	@Option(names = "--inspect-user", paramLabel = "ROLE",
			description = "The role that reads ids and versions (env INSPECT_DB_USER; default: the local stack's, else "
					+ "freshline_inspect). Its password comes from INSPECT_DB_PASSWORD or the local stack, never from a flag.")
	@Nullable String inspectUser;

	@Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT5S",
			description = "Plain progress lines when not on a terminal, ISO-8601 (default PT5S)")
	Duration progressInterval = Duration.ofSeconds(5);

	@Override
	public Integer call() {
		Ops ops = this.connection.ops();
		PrintWriter out = this.connection.out();
		Endpoints endpoints = this.connection.endpoints();
		List<Namespace> namespaces = namespaces(endpoints);
		int perNamespace = sample();
		if (this.progressInterval.isNegative() || this.progressInterval.isZero()) {
			throw new OpsException("--progress-interval must be positive");
		}
		ConnectionOptions.Postgres postgres = this.connection.postgres(ops, this.jdbcUrl, this.inspectUser,
				PostgresRole.INSPECT);
		out.println(postgres);
		try (Connection database = DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
				Clients clients = this.connection.connect()) {
			// reads only: a bug here cannot write a row
			database.setReadOnly(true);
			clients.ping();
			Inspection inspection = new Inspection(
					new CachedEntryAudit(CachedEntryAudit.Cache.of(clients.redis()), database, endpoints.keys()),
					clients.cache(), endpoints.keys(), out, ops.terminal(), this.progressInterval);
			Inspection.Totals totals = new Inspection.Totals();
			for (Namespace namespace : namespaces) {
				inspection.inspect(namespace, perNamespace, this.repair, totals);
			}
			out.println("RESULT checked=" + totals.checked + " stale=" + totals.stale + " repaired=" + totals.repaired);
			return (totals.stale > totals.repaired) ? Ops.FAILED : 0;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot read Postgres as " + postgres.user() + ": " + ex.getMessage(), ex);
		}
	}

	/** The namespace asked for, or every one of the rules; each one the audit can compare. */
	private List<Namespace> namespaces(Endpoints endpoints) {
		List<Namespace> namespaces = new ArrayList<>();
		if (this.namespace != null) {
			namespaces.add(endpoints.namespace(this.namespace.strip()));
		}
		else {
			endpoints.rules().namespaces().keySet().stream().sorted(Comparator.comparing(Namespace::id)).forEach(namespaces::add);
		}
		List<Namespace> unknown = namespaces.stream().filter((each) -> !CachedEntryAudit.AUDITED.contains(each)).toList();
		if (!unknown.isEmpty()) {
			throw new OpsException("cannot compare namespace " + unknown.stream().map(Namespace::id).collect(Collectors.joining(", "))
					+ " with Postgres: inspect knows " + CachedEntryAudit.AUDITED.stream().map(Namespace::id).sorted()
						.collect(Collectors.joining(", "))
					+ (this.namespace == null ? " (name one with --namespace)" : ""));
		}
		return namespaces;
	}

	/** Entries per namespace: every one unless {@code --sample}. */
	private int sample() {
		if (this.sample == null) {
			return Integer.MAX_VALUE;
		}
		if (!SAMPLE.matcher(this.sample.strip()).matches()) {
			throw new OpsException("malformed --sample '" + this.sample + "': expected a positive whole number of "
					+ "entries per namespace, at most 999999999, e.g. 100");
		}
		return Integer.parseInt(this.sample.strip());
	}
}
