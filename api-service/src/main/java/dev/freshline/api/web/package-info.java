/** Error responses as RFC 9457 problem details: bad ids are 400, unknown ones 404. */
@NullMarked
package dev.freshline.api.web;

import org.jspecify.annotations.NullMarked;
