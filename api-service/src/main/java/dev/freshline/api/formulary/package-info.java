/** Formulary reads: a hospital's whole formulary as one cached list. */
@NullMarked
package dev.freshline.api.formulary;

import org.jspecify.annotations.NullMarked;
