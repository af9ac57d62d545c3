/**
 * Who may call what: the API is an OAuth2 resource server that takes JWT bearer tokens and maps
 * each endpoint to one scope ({@code Scopes}); refusals are problem details like every other error.
 */
@NullMarked
package dev.freshline.api.security;

import org.jspecify.annotations.NullMarked;
