package dev.freshline.architecture;

import java.util.ArrayList;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module rules of docs/design.md, checked on the main classes of every module this module's
 * tests see, so that a dependency across a boundary fails the build instead of waiting for a
 * review. Packages name modules: {@code dev.freshline.api} is api-service, {@code .cdc} the
 * connector, {@code .invalidator} the invalidator, {@code .model} shared-model, {@code .cache}
 * cache-protocol, {@code .support} service-support.
 */
class ArchitectureTests {

	private static final List<String> SERVICES = List.of("dev.freshline.api..", "dev.freshline.cdc..",
			"dev.freshline.invalidator..");

	private static final List<String> LIBRARIES = List.of("dev.freshline.model..", "dev.freshline.cache..",
			"dev.freshline.support..");

	private static final String[] TOOLING = { "dev.freshline.launcher..", "dev.freshline.bench..",
			"dev.freshline.ops..", "dev.freshline.embedded.." };

	private static JavaClasses classes;

	@BeforeAll
	static void importMainClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.freshline");
	}

	@Test
	void shouldSeeTheMainClassesOfEveryModuleItChecks() {
		// a rule over classes that were never imported passes whatever the code does
		assertThat(List.of("dev.freshline.api.ApiApplication", "dev.freshline.cdc.ConnectorApplication",
				"dev.freshline.invalidator.InvalidatorApplication", "dev.freshline.model.RuleSet",
				"dev.freshline.cache.CacheCommands", "dev.freshline.support.TopicDeclarations",
				"dev.freshline.cdc.capture.ChangeCapture", "dev.freshline.ops.Ops"))
			.allSatisfy((name) -> assertThat(classes.contain(name)).as(name).isTrue());
	}

	@Test
	void noServiceModuleImportsAnother() {
		for (String service : SERVICES) {
			noClasses().that()
				.resideInAPackage(service)
				.should()
				.dependOnClassesThat()
				.resideInAnyPackage(SERVICES.stream().filter((other) -> !other.equals(service)).toArray(String[]::new))
				.because("services meet in Postgres, Kafka and Redis, never in each other's code")
				.check(classes);
		}
	}

	@Test
	void sharedModelUsesNoSpringRedisKafkaOrJdbcType() {
		noClasses().that()
			.resideInAPackage("dev.freshline.model..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.lettuce..", "redis..", "org.apache.kafka..",
					"io.debezium..", "java.sql..", "javax.sql..", "org.postgresql..")
			.because("every module uses the rules, events, keys and topics: they stay pure")
			.check(classes);
	}

	@Test
	void captureDoesNotPublish() {
		noClasses().that()
			.resideInAPackage("dev.freshline.cdc.capture..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.freshline.cdc.publish..", "org.apache.kafka..", "org.springframework.kafka..")
			.because("capture hands records to a ChangePublisher; only publish knows Kafka and its acks")
			.check(classes);
	}

	@Test
	void servicesAndLibrariesDoNotImportTooling() {
		List<String> products = new ArrayList<>(SERVICES);
		products.addAll(LIBRARIES);
		noClasses().that()
			.resideInAnyPackage(products.toArray(String[]::new))
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(TOOLING)
			.because("the launcher, the benchmark, the ops tool and the embedded servers are tooling")
			.check(classes);
	}

	@Test
	void librariesKnowNoService() {
		noClasses().that()
			.resideInAnyPackage(LIBRARIES.toArray(String[]::new))
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(SERVICES.toArray(String[]::new))
			.because("libraries are shared by the services, so they cannot depend on one")
			.check(classes);
	}
}
