//! The DES scheme SiteServer uses for `IsProtectData` values (spec §5.3):
//! DES-CBC with PKCS7, key = first 8 characters of the secret key, fixed IV,
//! Base64 with URL-unsafe characters spelled out, and a `0secret0` suffix.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};

use super::types::ConfigError;

const IV: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x90, 0xAB, 0xCD, 0xEF];
const SUFFIX: &str = "0secret0";
/// Base64 characters and their spelled-out forms, in the order the original applies them.
const SUBSTITUTIONS: [(&str, &str); 6] = [
    ("+", "0add0"),
    ("=", "0equals0"),
    ("&", "0and0"),
    ("?", "0question0"),
    ("'", "0quote0"),
    ("/", "0slash0"),
];

/// Decrypts a protected value. Fails clearly for SM4 keys/values (7.4's
/// default for new installs), which are not supported.
pub fn decrypt(secret_key: &str, value: &str) -> Result<String, ConfigError> {
    if is_sm4_key(secret_key) {
        return Err(ConfigError::Sm4NotSupported {
            reason: "the secret key has the SM4 form <32 hex>.<32 hex>",
        });
    }
    let value = value.trim();
    let Some(body) = value.strip_suffix(SUFFIX) else {
        return Err(ConfigError::Sm4NotSupported {
            reason: "the value has no 0secret0 suffix, so it is not DES-protected",
        });
    };
    let key = des_key(secret_key)?;
    let mut b64 = body.to_string();
    for (plain, spelled) in SUBSTITUTIONS {
        b64 = b64.replace(spelled, plain);
    }
    let bytes = STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| ConfigError::Decrypt {
            reason: "the value is not valid Base64",
        })?;
    let plain = cbc::Decryptor::<des::Des>::new(&key.into(), &IV.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&bytes)
        .map_err(|_| ConfigError::Decrypt {
            reason: "bad padding after DES decryption (wrong secret key?)",
        })?;
    String::from_utf8(plain).map_err(|_| ConfigError::Decrypt {
        reason: "the decrypted bytes are not UTF-8 (wrong secret key?)",
    })
}

/// Encrypts a value the way SiteServer does, e.g. to print the protected form
/// of a connection string. Fails only for a secret key DES cannot use.
pub fn encrypt(secret_key: &str, value: &str) -> Result<String, ConfigError> {
    let key = des_key(secret_key)?;
    let bytes = cbc::Encryptor::<des::Des>::new(&key.into(), &IV.into())
        .encrypt_padded_vec_mut::<Pkcs7>(value.as_bytes());
    let mut out = STANDARD.encode(bytes);
    for (plain, spelled) in SUBSTITUTIONS {
        out = out.replace(plain, spelled);
    }
    out.push_str(SUFFIX);
    Ok(out)
}

/// `true` for 7.4's SM4 key form: two 32-character hex strings joined by `.`.
pub fn is_sm4_key(secret_key: &str) -> bool {
    let hex32 = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    matches!(secret_key.trim().split_once('.'), Some((a, b)) if hex32(a) && hex32(b))
}

/// The UTF-8 bytes of the first 8 characters; .NET's DES rejects anything but 8 bytes.
fn des_key(secret_key: &str) -> Result<[u8; 8], ConfigError> {
    let len = secret_key.chars().count();
    if len < 8 {
        return Err(ConfigError::SecretKeyTooShort { len });
    }
    let first8: String = secret_key.chars().take(8).collect();
    first8
        .as_bytes()
        .try_into()
        .map_err(|_| ConfigError::SecretKeyNotAscii)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed outside this crate with Python `cryptography` 48 (single-key
    // TripleDES == DES) and checked for "MySql" with `openssl enc -des-cbc`:
    //   k = "eef9e4b0d48bf7a5"[:8].encode(); iv = bytes.fromhex("1234567890ABCDEF")
    //   pad with padding.PKCS7(64), encrypt with Cipher(TripleDES(k), modes.CBC(iv)),
    //   base64.b64encode(...), then replace + = & ? ' / by 0add0 0equals0 0and0
    //   0question0 0quote0 0slash0 (in that order) and append "0secret0".
    const KEY: &str = "eef9e4b0d48bf7a5";
    const CS_PLAIN: &str = "Server=127.0.0.1;Uid=root;Pwd=pass;Database=cms;";
    const CS_ENC: &str = "nxn0slash0Flqd70add0JcgPZDVx0add0Y0add0VUJ3OU3rNF47O8tfi0IJSyNycuJ2XE3eiVtrEordYdw10bxhqdIThk0equals00secret0";
    const MYSQL_ENC: &str = "DXZRYLMDOKE0equals00secret0";
    const SQLSERVER_ENC: &str = "7na5jBXJlStTWMjammrcWQ0equals00equals00secret0";
    const CHINESE_ENC: &str = "SSCQX2rSZ0add0o0equals00secret0"; // plaintext "密码"
    // The upgrade guide's SQL Server string; its Base64 has both `+` and `/`. Same Python
    // recipe, and checked with `openssl enc -des-cbc -K 6565663965346230 -iv 1234567890ABCDEF`.
    const GUIDE_PLAIN: &str = "Server=(local);Uid=sa;Pwd=123456;Database=cms_4.1;";
    const GUIDE_ENC: &str = "0add0YmPhrx9k52Mqn6Hbt2d392emhxoCZbS6H16Vq1zSyZEov75oWKf0slash092zes6u30add0XRMzik9yBU14Y0equals00secret0";

    #[test]
    fn decrypts_vectors_from_python() {
        assert_eq!(decrypt(KEY, CS_ENC).unwrap(), CS_PLAIN);
        assert_eq!(decrypt(KEY, MYSQL_ENC).unwrap(), "MySql");
        assert_eq!(decrypt(KEY, SQLSERVER_ENC).unwrap(), "SqlServer");
        assert_eq!(decrypt(KEY, CHINESE_ENC).unwrap(), "密码");
        assert_eq!(decrypt(KEY, GUIDE_ENC).unwrap(), GUIDE_PLAIN);
    }

    #[test]
    fn encrypts_to_the_same_vectors() {
        assert_eq!(encrypt(KEY, CS_PLAIN).unwrap(), CS_ENC);
        assert_eq!(encrypt(KEY, "MySql").unwrap(), MYSQL_ENC);
        assert_eq!(encrypt(KEY, "密码").unwrap(), CHINESE_ENC);
        assert_eq!(encrypt(KEY, "SqlServer").unwrap(), SQLSERVER_ENC);
        assert_eq!(encrypt(KEY, GUIDE_PLAIN).unwrap(), GUIDE_ENC);
    }

    #[test]
    fn only_first_eight_key_characters_matter() {
        assert_eq!(decrypt("eef9e4b0", MYSQL_ENC).unwrap(), "MySql");
        assert_eq!(decrypt("eef9e4b0xyz", MYSQL_ENC).unwrap(), "MySql");
    }

    #[test]
    fn wrong_key_is_an_error() {
        let err = decrypt("00000000", CS_ENC).unwrap_err();
        assert!(matches!(err, ConfigError::Decrypt { .. }), "{err}");
    }

    #[test]
    fn short_key_is_a_clear_error() {
        let err = decrypt("abc", MYSQL_ENC).unwrap_err();
        assert!(matches!(err, ConfigError::SecretKeyTooShort { len: 3 }));
        assert!(err.to_string().contains("at least 8"), "{err}");
        assert!(encrypt("abc", "x").is_err());
        assert!(matches!(
            decrypt("密码密码密码密码", MYSQL_ENC),
            Err(ConfigError::SecretKeyNotAscii)
        ));
    }

    #[test]
    fn sm4_key_or_missing_suffix_is_a_clear_error() {
        let sm4 = "0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210";
        assert!(is_sm4_key(sm4));
        assert!(!is_sm4_key(KEY));
        let err = decrypt(sm4, MYSQL_ENC).unwrap_err();
        assert!(err.to_string().contains("SM4"), "{err}");
        assert!(err.to_string().contains("--connection-string"), "{err}");
        assert!(err.to_string().contains("paste the plain"), "{err}");
        let err = decrypt(KEY, "a1b2c3d4e5f6").unwrap_err();
        assert!(matches!(err, ConfigError::Sm4NotSupported { .. }), "{err}");
    }

    #[test]
    fn round_trip() {
        for s in ["", "a", "12345678", "Pwd=a+b/c?d&e'f=g", "数据库"] {
            assert_eq!(decrypt(KEY, &encrypt(KEY, s).unwrap()).unwrap(), s);
        }
    }
}
