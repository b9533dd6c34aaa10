namespace Rx.Network.Identity;

/// <summary>
/// The kinds of keys libp2p peers use, with the numbers the
/// <see href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#keys">peer-ids spec</see>
/// gives them on the wire.
/// </summary>
public enum KeyType
{
    /// <summary>RSA; the key is PKIX DER, signatures are RSASSA-PKCS1-v1_5 over SHA-256.</summary>
    Rsa = 0,

    /// <summary>Ed25519 (RFC 8032); the key is the 32 raw public key bytes.</summary>
    Ed25519 = 1,

    /// <summary>ECDSA on secp256k1; the key is a 33-byte compressed point, signatures are DER over SHA-256.</summary>
    Secp256k1 = 2,

    /// <summary>ECDSA on a NIST curve (P-256, P-384, P-521); the key is PKIX DER, signatures are DER over SHA-256.</summary>
    Ecdsa = 3,
}
