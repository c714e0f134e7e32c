// cairo's drawing API with its image (PNG) and PDF surfaces (Debian: libcairo2-dev).
#include <cairo.h>
#include <cairo-pdf.h>
