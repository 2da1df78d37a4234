package io.tsdbpipe.governance;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TenantStateTest {

    @Test
    void aLimitIsSplitOverTheSubtasksRoundedUpWithoutOverflow() {
        assertThat(TenantState.share(10, 3)).isEqualTo(4);
        assertThat(TenantState.share(9, 3)).isEqualTo(3);
        assertThat(TenantState.share(0, 3)).isZero(); // no limit
        assertThat(TenantState.share(1, 4)).isEqualTo(1);
        // "no practical limit" written as the largest number stays the largest share, not a negative one
        assertThat(TenantState.share(Long.MAX_VALUE, 4)).isEqualTo(Long.MAX_VALUE / 4 + 1);
        assertThat(TenantState.share(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    }
}
