/* libFuzzer target: the nvd feed reader (see feed_fuzz.h). */
#include "feed_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return feed_fuzz_one(VG_FEED_NVD, data, size);
}
