"""AES encryption as Spark lays it out: ``aes_encrypt``, ``aes_decrypt``, ``try_aes_decrypt``.

The byte layout is Spark's, so data encrypted by one decrypts in the other: GCM (the default)
writes a 12-byte IV, the ciphertext and the 16-byte tag; CBC writes a 16-byte IV and the
PKCS#7-padded ciphertext; ECB writes the padded ciphertext alone. Keys are 16, 24 or 32 bytes.
An empty IV means a random one (the usual case); ``aad`` authenticates extra data in GCM only.
The cipher comes from the ``cryptography`` package (the ``dfml[crypto]`` extra), imported
when a row is encrypted so that dfml imports without it.
"""

from __future__ import annotations

import os
from typing import Any

from .. import types as T
from ..column import Column, Ctx, Literal, Typed, cast_to
from ..errors import SparkException
from ._common import col_expr, func
from ._zoned import rows

__all__ = ["aes_encrypt", "aes_decrypt", "try_aes_decrypt"]

_IV_SIZE = {"GCM": 12, "CBC": 16, "ECB": 0}


def _bytes(v: Any) -> bytes | None:
    if v is None:
        return None
    return v.encode("utf-8") if isinstance(v, str) else bytes(v)


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise ImportError("aes_encrypt/aes_decrypt need the 'cryptography' package: "
                          "pip install 'dfml[crypto]'") from None
    return padding, Cipher, algorithms, modes, AESGCM


def _mode_of(fname: str, mode: Any, pad: Any) -> str:
    m, p = str(mode).upper(), str(pad).upper()
    ok = {"GCM": ("NONE", "DEFAULT"), "CBC": ("PKCS", "DEFAULT"), "ECB": ("PKCS", "DEFAULT")}
    if m not in ok or p not in ok[m]:
        raise SparkException(
            f"[UNSUPPORTED_FEATURE.AES_MODE] The feature is not supported: AES-{mode} with the "
            f"padding {pad} by the `{fname}` function. SQLSTATE: 0A000")
    return m


def _check_key(fname: str, key: bytes) -> None:
    if len(key) not in (16, 24, 32):
        raise SparkException(
            f"[INVALID_PARAMETER_VALUE.AES_KEY_LENGTH] The value of parameter(s) `key` in "
            f"`{fname}` is invalid: expects a binary value with 16, 24 or 32 bytes, but got "
            f"{len(key)} bytes. SQLSTATE: 22023")


def _encrypt(data: bytes, key: bytes, mode: str, iv: bytes, aad: bytes) -> bytes:
    padding, Cipher, algorithms, modes, AESGCM = _crypto()
    if mode != "ECB":
        if not iv:
            iv = os.urandom(_IV_SIZE[mode])
        elif len(iv) != _IV_SIZE[mode]:
            raise SparkException(
                f"[INVALID_PARAMETER_VALUE.AES_IV_LENGTH] The value of parameter(s) `iv` in "
                f"`aes_encrypt` is invalid: AES-{mode} expects a {_IV_SIZE[mode]}-byte IV, but "
                f"got {len(iv)} bytes. SQLSTATE: 22023")
    if mode == "GCM":
        return iv + AESGCM(key).encrypt(iv, data, aad or None)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv) if mode == "CBC" else modes.ECB()).encryptor()
    return (iv if mode == "CBC" else b"") + enc.update(padded) + enc.finalize()


def _decrypt(data: bytes, key: bytes, mode: str, aad: bytes) -> bytes:
    padding, Cipher, algorithms, modes, AESGCM = _crypto()
    if mode == "GCM":
        return AESGCM(key).decrypt(data[:12], data[12:], aad or None)
    iv, body = (data[:16], data[16:]) if mode == "CBC" else (b"", data)
    dec = Cipher(algorithms.AES(key), modes.CBC(iv) if mode == "CBC" else modes.ECB()).decryptor()
    padded = dec.update(body) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def _arg(v: Any, default: str) -> Any:
    return Literal(default) if v is None else col_expr(v)


def _fn(fname: str, args: list, one: Any) -> Column:
    def impl(ctx: Ctx, *ts: Typed) -> Typed:
        ts = [t if isinstance(t.dtype, (T.BinaryType, T.NullType)) else cast_to(t, T.StringType())
              for t in ts]
        return rows(ctx, list(ts), one, T.BinaryType())
    return func(fname, args, impl, sql=f"{fname}({', '.join(a.sql() for a in args)})")


def aes_encrypt(input: Any, key: Any, mode: Any = None, padding: Any = None,  # noqa: A002
                iv: Any = None, aad: Any = None) -> Column:
    """``input`` encrypted with AES under ``key`` (mode GCM, CBC or ECB; GCM by default), in
    Spark's byte layout (IV first)."""
    args = [col_expr(input), col_expr(key), _arg(mode, "GCM"), _arg(padding, "DEFAULT"),
            _arg(iv, ""), _arg(aad, "")]

    def one(v: Any, k: Any, m: Any, p: Any, i: Any, a: Any) -> Any:
        if v is None or k is None or m is None or p is None:
            return None
        kb = _bytes(k)
        _check_key("aes_encrypt", kb)
        return _encrypt(_bytes(v), kb, _mode_of("aes_encrypt", m, p), _bytes(i) or b"",
                        _bytes(a) or b"")
    return _fn("aes_encrypt", args, one)


def _decrypt_fn(fname: str, strict: bool) -> Any:
    def f(input: Any, key: Any, mode: Any = None, padding: Any = None,  # noqa: A002
          aad: Any = None) -> Column:
        args = [col_expr(input), col_expr(key), _arg(mode, "GCM"), _arg(padding, "DEFAULT"),
                _arg(aad, "")]

        def one(v: Any, k: Any, m: Any, p: Any, a: Any) -> Any:
            if v is None or k is None or m is None or p is None:
                return None
            try:
                kb = _bytes(k)
                _check_key(fname, kb)
                return _decrypt(_bytes(v), kb, _mode_of(fname, m, p), _bytes(a) or b"")
            except ImportError:
                raise
            except Exception as e:
                if not strict:
                    return None
                if isinstance(e, SparkException):
                    raise
                raise SparkException(
                    f"[INVALID_PARAMETER_VALUE.AES_CRYPTO_ERROR] The value of parameter(s) "
                    f"`expr`, `key` in `{fname}` is invalid: detail message: "
                    f"{type(e).__name__} {e}. SQLSTATE: 22023") from None
        return _fn(fname, args, one)
    f.__name__ = fname
    f.__doc__ = ("The bytes ``aes_encrypt`` encrypted (same key, mode, padding and aad); "
                 + ("wrong keys or corrupt data fail the action." if strict
                    else "null where they cannot be decrypted."))
    return f


aes_decrypt = _decrypt_fn("aes_decrypt", True)
try_aes_decrypt = _decrypt_fn("try_aes_decrypt", False)
