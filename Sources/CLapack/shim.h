#ifndef TLSPIPE_CLAPACK_SHIM_H
#define TLSPIPE_CLAPACK_SHIM_H
// LAPACKE's default complex type is C99 _Complex, opaque to Swift: declare it as a plain
// pair of doubles (layout-compatible) before including lapacke.h.
typedef struct { double real, imag; } tls_complex_double;
typedef struct { float real, imag; } tls_complex_float;
#define lapack_complex_double tls_complex_double
#define lapack_complex_float tls_complex_float
#include <lapacke.h>
#include <cblas.h>
#endif
