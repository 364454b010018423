/* prices.c: the list prices of well-known models, for models whose config
 * gives none (costs are then recorded at list price). */
#include "prices.h"

#include <string.h>

#include "lw.h"
#include "money.h"

/* $ per million tokens, as exact decimal text. */
static const struct {
    const char *prefix, *input, *output;
} builtin_prices[] = {
    { "gpt-4", "30", "60" },
    { "gpt-4-turbo", "10", "30" },
    { "gpt-4o", "2.5", "10" },
    { "gpt-4o-mini", "0.15", "0.6" },
    { "gpt-3.5-turbo", "0.5", "1.5" },
    { "claude-3-5-sonnet", "3", "15" },
    { "claude-3-5-haiku", "0.8", "4" },
    { "claude-3-opus", "15", "75" },
    { "claude-3-haiku", "0.25", "1.25" },
    { "gemini-1.5-pro", "1.25", "5" },
    { "gemini-1.5-flash", "0.075", "0.3" },
    { "gemini-2.0-flash", "0.1", "0.4" },
};

int
lw_prices_builtin(const char *model, int64_t *input_micros, int64_t *output_micros)
{
    size_t i, n, best_len = 0, best = 0;

    if (model == NULL)
        return LW_ENOTFOUND;
    for (i = 0; i < LW_ARRAY_LEN(builtin_prices); i++) {
        n = strlen(builtin_prices[i].prefix);
        /* a prefix must end at a name boundary: "gpt-4" is not "gpt-4o" */
        if (strncmp(model, builtin_prices[i].prefix, n) == 0 &&
            (model[n] == '\0' || model[n] == '-' || model[n] == '@') && n > best_len) {
            best_len = n;
            best = i;
        }
    }
    if (best_len == 0)
        return LW_ENOTFOUND;
    if (lw_money_parse(builtin_prices[best].input, input_micros) != LW_OK ||
        lw_money_parse(builtin_prices[best].output, output_micros) != LW_OK)
        return LW_ERROR;
    return LW_OK;
}
