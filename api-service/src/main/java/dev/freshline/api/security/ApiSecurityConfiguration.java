package dev.freshline.api.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.support.WebApplicationContextUtils;

import dev.freshline.model.Scopes;

/**
 * Each endpoint and the one scope it needs; anything not listed is refused, so an endpoint added
 * later is closed until someone decides who may call it. The health probes stay open because
 * orchestrators call them without a token, and so is the API's description (with Swagger UI), which
 * says what the endpoints are and serves none of their data; the actuator lives on the management
 * server.
 * Stateless: no session, no CSRF (no cookies to forge).
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

	private static final String PATIENTS_READ = scope(Scopes.PATIENTS_READ);

	private static final String FORMULARY_READ = scope(Scopes.FORMULARY_READ);

	private static final String ADMIN = scope(Scopes.ADMIN);

	@Bean
	SecurityFilterChain apiSecurity(HttpSecurity http, ProblemResponses problems) {
		http.authorizeHttpRequests((requests) -> requests
			// an error forwarded to /error has passed these rules already on its way in
			.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
			// the management server (its own port, on loopback unless an operator binds it elsewhere)
			// is guarded by where it listens, like the other services' actuators: no token there
			.requestMatchers(ApiSecurityConfiguration::onManagementServer).permitAll()
			// the probes on the API's own port: a status, no details, and orchestrators have no token
			.requestMatchers(HttpMethod.GET, "/livez", "/readyz").permitAll()
			// a census lists patients: it is patient data like the record itself
			.requestMatchers(HttpMethod.GET, "/patients/*", "/wards/*/patients").hasAuthority(PATIENTS_READ)
			.requestMatchers(HttpMethod.GET, "/hospitals/*/formulary").hasAuthority(FORMULARY_READ)
			// /bench/db/patients/{id} serves a patient; /bench/noop is the baseline the cached read is
			// compared with (hit_vs_noop), so it pays the same token check or the ratio would hide it
			.requestMatchers(HttpMethod.GET, "/bench/noop", "/bench/db/patients/*").hasAuthority(PATIENTS_READ)
			// the baseline without the token check (auth_noop_cost): safe open, it answers a constant "{}"
			// and exists only with FRESHLINE_BENCH_ENDPOINTS=true (404 otherwise)
			.requestMatchers(HttpMethod.GET, "/bench/anonymous-noop").permitAll()
			// writes, flushes and tag invalidations
			.requestMatchers("/admin/**").hasAuthority(ADMIN)
			// the API's description and Swagger UI: what the endpoints are, never what they serve (no
			// patient data, examples are synthetic), and a client needs it before it has a token; trying
			// an endpoint from the UI still takes one. Last, so the reads are matched no later than before
			.requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/**", "/swagger-ui.html",
					"/swagger-ui/**")
			.permitAll()
			.anyRequest().denyAll())
			.oauth2ResourceServer((resourceServer) -> resourceServer.bearerTokenResolver(new BearerHeader())
				.jwt((jwt) -> {
				})
				.authenticationEntryPoint(problems)
				.accessDeniedHandler(problems))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache(AbstractHttpConfigurer::disable)
			.csrf(AbstractHttpConfigurer::disable);
		return http.build();
	}

	/** Spring Security's strict firewall with the same rules, checked without regular expressions. */
	@Bean
	static HttpFirewall httpFirewall() {
		return HeaderCharacters.firewall();
	}

	/**
	 * Whichever decoder Spring Boot makes of the resource-server settings (issuer, JWK set or public
	 * key) verifies a token once rather than on every request: see {@link VerifiedTokens}.
	 */
	@Bean
	static BeanPostProcessor verifiedTokens() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String name) {
				return (bean instanceof JwtDecoder decoder && !(bean instanceof VerifiedTokens)) ? new VerifiedTokens(decoder)
						: bean;
			}
		};
	}

	/**
	 * Whether the request came in on the management server, which Spring Boot runs as a child
	 * context under that namespace when its port differs. Were the actuator on the API's port (the
	 * management port set to the same), nothing matches here and it falls to {@code denyAll}.
	 */
	private static boolean onManagementServer(HttpServletRequest request) {
		WebApplicationContext context = WebApplicationContextUtils.getWebApplicationContext(request.getServletContext());
		return context != null && WebServerNamespace.from(context).equals(WebServerNamespace.MANAGEMENT);
	}

	/** The authority Spring Security's JWT converter makes of a {@code scope} claim entry. */
	private static String scope(String scope) {
		return "SCOPE_" + scope;
	}
}
