// libqrencode: QR code symbols from bytes (Debian: libqrencode-dev).
#include <qrencode.h>
