#ifndef TLSPIPE_CHDF5_SHIM_H
#define TLSPIPE_CHDF5_SHIM_H
// HDF5's type and property-list identifiers are macros over mutable globals, which
// Swift 6 neither imports nor accepts. Each wrapper calls H5open() first, as the macros do.
#include <hdf5.h>

static inline hid_t tls_H5T_NATIVE_DOUBLE(void) { H5open(); return H5T_NATIVE_DOUBLE_g; }
static inline hid_t tls_H5T_NATIVE_INT64(void) { H5open(); return H5T_NATIVE_LLONG_g; }
static inline hid_t tls_H5T_C_S1(void) { H5open(); return H5T_C_S1_g; }
static inline hid_t tls_H5P_FILE_CREATE(void) { H5open(); return H5P_CLS_FILE_CREATE_ID_g; }
static inline hid_t tls_H5P_DATASET_CREATE(void) { H5open(); return H5P_CLS_DATASET_CREATE_ID_g; }
static inline hid_t tls_H5P_GROUP_CREATE(void) { H5open(); return H5P_CLS_GROUP_CREATE_ID_g; }
static inline hid_t tls_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t tls_H5S_ALL(void) { return H5S_ALL; }
static inline size_t tls_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline unsigned tls_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned tls_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned tls_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned tls_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
// H5dont_atexit before the library starts: HDF5's own exit handler flushes every file still
// open, and a file whose close failed (a full disk) makes it dereference NULL at exit. Files the
// engine keeps are always closed explicitly; a failed one is discarded anyway. After the first
// call it returns an error, which is harmless.
static inline void tls_H5_silence_errors(void) { H5dont_atexit(); H5open(); H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
