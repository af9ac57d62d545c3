package dev.freshline.model;

import java.util.Locale;

/**
 * How many keys were checked and how many were inconsistent, as "nines": -log10 of the share
 * found inconsistent. None found does not mean infinitely many nines: with n checks and none
 * found, the true share is below 3/n with 95% confidence (the rule of three), so the sample
 * supports a claim of log10(n/3) nines and no more, and that is what is reported.
 */
public record Consistency(long checked, long inconsistent) {

	public double nines() {
		if (this.inconsistent > 0) {
			return -Math.log10((double) this.inconsistent / this.checked);
		}
		return (this.checked < 3) ? 0 : Math.log10(this.checked / 3.0);
	}

	/** Whether {@link #nines()} is the bound the sample supports (none found) rather than a measured share. */
	public boolean bounded() {
		return this.inconsistent == 0;
	}

	/** The nines as an operator reads them: measured, or the bound with the sample it rests on. */
	public String describe() {
		return this.bounded()
				? String.format(Locale.ROOT, "at least %.1f (none found in %d checks, 95%% confidence)", nines(), this.checked)
				: String.format(Locale.ROOT, "%.2f", nines());
	}
}
