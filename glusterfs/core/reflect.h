// SPDX-License-Identifier: GPL-3.0-or-later
// GF_FIELDS(Type, a, b, ...): lists a plain struct's fields once, for codecs, tracing and tests.
//
// It defines forEachField(obj, visitor) for const and mutable objects; the visitor is called as
// visitor("name", obj.name) for each field in order. Types without fields use GF_NO_FIELDS(Type).
#pragma once

#define GF_PP_NARG(...) GF_PP_NARG_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1)
#define GF_PP_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#define GF_PP_CAT_(a, b) a##b
#define GF_PP_CAT(a, b) GF_PP_CAT_(a, b)

#define GF_PP_EACH_1(m, x) m(x)
#define GF_PP_EACH_2(m, x, ...) m(x) GF_PP_EACH_1(m, __VA_ARGS__)
#define GF_PP_EACH_3(m, x, ...) m(x) GF_PP_EACH_2(m, __VA_ARGS__)
#define GF_PP_EACH_4(m, x, ...) m(x) GF_PP_EACH_3(m, __VA_ARGS__)
#define GF_PP_EACH_5(m, x, ...) m(x) GF_PP_EACH_4(m, __VA_ARGS__)
#define GF_PP_EACH_6(m, x, ...) m(x) GF_PP_EACH_5(m, __VA_ARGS__)
#define GF_PP_EACH_7(m, x, ...) m(x) GF_PP_EACH_6(m, __VA_ARGS__)
#define GF_PP_EACH_8(m, x, ...) m(x) GF_PP_EACH_7(m, __VA_ARGS__)
#define GF_PP_EACH_9(m, x, ...) m(x) GF_PP_EACH_8(m, __VA_ARGS__)
#define GF_PP_EACH_10(m, x, ...) m(x) GF_PP_EACH_9(m, __VA_ARGS__)
#define GF_PP_EACH_11(m, x, ...) m(x) GF_PP_EACH_10(m, __VA_ARGS__)
#define GF_PP_EACH_12(m, x, ...) m(x) GF_PP_EACH_11(m, __VA_ARGS__)
#define GF_PP_EACH_13(m, x, ...) m(x) GF_PP_EACH_12(m, __VA_ARGS__)
#define GF_PP_EACH_14(m, x, ...) m(x) GF_PP_EACH_13(m, __VA_ARGS__)
#define GF_PP_EACH_15(m, x, ...) m(x) GF_PP_EACH_14(m, __VA_ARGS__)
#define GF_PP_EACH_16(m, x, ...) m(x) GF_PP_EACH_15(m, __VA_ARGS__)
#define GF_PP_EACH(m, ...) GF_PP_CAT(GF_PP_EACH_, GF_PP_NARG(__VA_ARGS__))(m, __VA_ARGS__)

#define GF_FIELD_VISIT_(f) visit(#f, obj.f);

#define GF_FIELDS(Type, ...)                                        \
  template <class Visitor>                                          \
  inline void forEachField(Type& obj, Visitor&& visit) {            \
    GF_PP_EACH(GF_FIELD_VISIT_, __VA_ARGS__)                        \
  }                                                                 \
  template <class Visitor>                                          \
  inline void forEachField(const Type& obj, Visitor&& visit) {      \
    GF_PP_EACH(GF_FIELD_VISIT_, __VA_ARGS__)                        \
  }

#define GF_NO_FIELDS(Type)                                          \
  template <class Visitor>                                          \
  inline void forEachField(const Type&, Visitor&&) {}               \
  template <class Visitor>                                          \
  inline void forEachField(Type&, Visitor&&) {}
