using System.Text.Json;

namespace Rx.Network.Tests.Security.Noise;

/// <summary>
/// The public cacophony test vector for <c>Noise_XX_25519_ChaChaPoly_SHA256</c>
/// (haskell-cryptography/cacophony, vectors/cacophony.txt, public domain), copied verbatim from
/// the shared vectors folder so the test project stands alone.
/// </summary>
internal static class NoiseVectors
{
    private const string Json = """
{
 "source": "haskell-cryptography/cacophony, vectors/cacophony.txt (public-domain Noise test vectors)",
 "vectors": [
  {
   "protocol_name": "Noise_XX_25519_ChaChaPoly_SHA256",
   "init_prologue": "4a6f686e2047616c74",
   "init_static": "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
   "init_ephemeral": "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a",
   "resp_prologue": "4a6f686e2047616c74",
   "resp_static": "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
   "resp_ephemeral": "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b",
   "handshake_hash": "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e",
   "messages": [
    {
     "payload": "4c756477696720766f6e204d69736573",
     "ciphertext": "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"
    },
    {
     "payload": "4d757272617920526f746862617264",
     "ciphertext": "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"
    },
    {
     "payload": "462e20412e20486179656b",
     "ciphertext": "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"
    },
    {
     "payload": "4361726c204d656e676572",
     "ciphertext": "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"
    },
    {
     "payload": "4a65616e2d426170746973746520536179",
     "ciphertext": "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"
    },
    {
     "payload": "457567656e2042f6686d20766f6e2042617765726b",
     "ciphertext": "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"
    }
   ]
  }
 ]
}
""";

    public static Vector Load()
    {
        using var document = JsonDocument.Parse(Json);
        var v = document.RootElement.GetProperty("vectors")[0];
        byte[] Hex(string name) => Convert.FromHexString(v.GetProperty(name).GetString()!);
        var messages = v.GetProperty("messages").EnumerateArray()
            .Select(m => (Payload: Convert.FromHexString(m.GetProperty("payload").GetString()!), Ciphertext: Convert.FromHexString(m.GetProperty("ciphertext").GetString()!)))
            .ToArray();
        return new Vector(
            v.GetProperty("protocol_name").GetString()!,
            Hex("init_prologue"),
            Hex("init_static"),
            Hex("init_ephemeral"),
            Hex("resp_prologue"),
            Hex("resp_static"),
            Hex("resp_ephemeral"),
            Hex("handshake_hash"),
            messages);
    }

    public sealed record Vector(
        string ProtocolName,
        byte[] InitiatorPrologue,
        byte[] InitiatorStatic,
        byte[] InitiatorEphemeral,
        byte[] ResponderPrologue,
        byte[] ResponderStatic,
        byte[] ResponderEphemeral,
        byte[] HandshakeHash,
        (byte[] Payload, byte[] Ciphertext)[] Messages);
}
