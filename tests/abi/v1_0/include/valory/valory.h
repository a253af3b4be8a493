/* Valory SDK — everything of ABI v1 core in one include. Service headers are included separately. */
#ifndef VALORY_VALORY_H
#define VALORY_VALORY_H
#include "valory/plugin.h"
#endif
