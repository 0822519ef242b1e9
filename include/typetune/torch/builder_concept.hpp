// What a model builder is, as a concept: tt::builder_for<B, Space>. A builder takes the
// parameter struct P that its space fits, as const P& (or by value), and returns the model:
//   Model build(const P&)
//   Model build(const P&, tt::torch::fit_options&)  (also sets what the struct decides about
//                                                     fitting: optimizer, batch size, epochs)
// where Model is a LibTorch module holder (torch::nn::Sequential, a TORCH_MODULE) or a
// std::shared_ptr to a module. P is read from the builder's one call operator, so a generic
// lambda is not a builder. The search front ends (tuner.hpp, search_cv.hpp) take only builders
// of these forms: any other is one error that names this concept and lists the forms.
//
// This header needs no LibTorch: it names fit_options without defining it, and checks the model
// by its shape (a holder's ptr(), or a std::shared_ptr); model_ref (trainer.hpp) checks the
// rest where the model is used.
#pragma once

#include <memory>
#include <type_traits>

#include "typetune/check/fits.hpp"
#include "typetune/fixed_string.hpp"

namespace typetune {
namespace torch {
struct fit_options;  // typetune/torch/trainer.hpp
}  // namespace torch

namespace detail {

// The signature of a builder's call: a function, a pointer to one, or the one call operator of a
// class (none for a template or an overloaded operator()).
template <class F, class = void>
struct builder_signature {};
template <class F>
struct builder_signature<F, std::void_t<decltype(&F::operator())>> : builder_signature<decltype(&F::operator())> {};
template <class R, class... A>
struct builder_signature<R(A...)> {
  using type = R(A...);
};
template <class R, class... A>
struct builder_signature<R (*)(A...)> : builder_signature<R(A...)> {};
template <class R, class... A>
struct builder_signature<R (*)(A...) noexcept> : builder_signature<R(A...)> {};
template <class R, class C, class... A>
struct builder_signature<R (C::*)(A...)> : builder_signature<R(A...)> {};
template <class R, class C, class... A>
struct builder_signature<R (C::*)(A...) const> : builder_signature<R(A...)> {};
template <class R, class C, class... A>
struct builder_signature<R (C::*)(A...) noexcept> : builder_signature<R(A...)> {};
template <class R, class C, class... A>
struct builder_signature<R (C::*)(A...) const noexcept> : builder_signature<R(A...)> {};

template <class Signature>
struct first_parameter {};
template <class R, class A, class... Rest>
struct first_parameter<R(A, Rest...)> {
  using type = std::remove_cvref_t<A>;
};

// The builder's parameter struct: its call's first parameter, without const and reference; void
// when it has no single call to read it from.
template <class Builder, class = void>
struct builder_struct {
  using type = void;
};
template <class Builder>
struct builder_struct<
    Builder,
    std::void_t<typename first_parameter<typename builder_signature<std::remove_cvref_t<Builder>>::type>::type>> {
  using type = typename first_parameter<typename builder_signature<std::remove_cvref_t<Builder>>::type>::type;
};
template <class Builder>
using builder_struct_t = typename builder_struct<Builder>::type;

template <class T>
inline constexpr bool is_shared_ptr_to_class = false;
template <class T>
inline constexpr bool is_shared_ptr_to_class<std::shared_ptr<T>> = std::is_class_v<T>;

// A model by its shape: a module holder (ptr() gives its module) or a std::shared_ptr to one.
template <class M>
concept model_shaped = is_shared_ptr_to_class<std::remove_cvref_t<M>> || requires(const std::remove_cvref_t<M>& m) {
  m.ptr();
};

// The form of a builder for struct P, as the front ends call it (build_seeded): with the fit
// options when it takes them, else with the struct alone.
template <class Builder, class P>
consteval bool builder_form_holds() {
  if constexpr (!std::is_class_v<P>) {
    return false;
  } else if constexpr (std::is_invocable_v<Builder&, const P&, torch::fit_options&>) {
    return model_shaped<std::invoke_result_t<Builder&, const P&, torch::fit_options&>>;
  } else if constexpr (std::is_invocable_v<Builder&, const P&>) {
    return model_shaped<std::invoke_result_t<Builder&, const P&>>;
  } else {
    return false;
  }
}

// The form alone, without the space: what the front ends select on, so that a builder of the
// right form whose struct does not fit the space gets fits()'s error, which names the parameter.
template <class Builder>
concept builder_shaped = builder_form_holds<std::remove_cvref_t<Builder>, builder_struct_t<Builder>>();

// What a front end's deleted twin prints for a builder of another form (in g++'s "use of deleted
// function" line, as the value of its template argument `Why`).
inline constexpr fixed_string builder_forms =
    "not a tt::builder_for<Builder, Space>: a builder is Model build(const P&) or Model build(const P&, "
    "tt::torch::fit_options&), P the parameter struct its space fits, Model a LibTorch module holder "
    "(torch::nn::Sequential, a TORCH_MODULE) or a std::shared_ptr to a module";

}  // namespace detail

// B is a builder of models for Space: one of the two forms above, and its struct fits the space
// (what tt::fits(space, build) checks, naming the parameter when it does not).
template <class B, class Space>
concept builder_for = detail::builder_shaped<B> && error::is_ok<check_t<Space, detail::builder_struct_t<B>>>;

}  // namespace typetune
