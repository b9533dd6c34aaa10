using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Rx.Network.Identity;

namespace Rx.Network.Hosting;

/// <summary>
/// Loads the node's identity from its key file, or creates the file on first start. The file
/// holds the libp2p <c>PrivateKey</c> protobuf (the form libp2p implementations store
/// identities in). It is created under a temporary name with owner-only permissions (0600 on
/// Unix) and moved into place without replacing anything, so a crash leaves no half-written key
/// and two processes starting at once end up with the same identity. A file that exists but is
/// not a usable key is an error, never a reason to make a new identity.
/// </summary>
internal static partial class IdentityKeyFile
{
    /// <summary>Larger than any libp2p private key this library reads (an Ed25519 key is 68 bytes encoded).</summary>
    private const int MaxFileSize = 4096;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Returns the key stored at <paramref name="path"/>, creating the file with a fresh key when there is none.</summary>
    /// <exception cref="IdentityKeyFileException">The file exists but cannot be used, or cannot be created.</exception>
    public static PrivateKey LoadOrCreate(string path, ILogger logger)
    {
        path = Path.GetFullPath(path);
        for (int attempt = 0; attempt < 2; attempt++)
        {
            if (File.Exists(path))
            {
                return Load(path, logger);
            }

            if (TryCreate(path, out var created))
            {
                var peer = PeerId.FromPublicKey(created.PublicKey);
                LogCreated(logger, path, peer);
                return created;
            }

            // Another process created the file between our check and our move: read theirs.
        }

        throw new IdentityKeyFileException(path, $"The identity key file {path} could neither be read nor created.", null);
    }

    private static PrivateKey Load(string path, ILogger logger)
    {
        byte[] bytes;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (file.Length is 0 or > MaxFileSize)
            {
                throw new IdentityKeyFileException(path, $"The identity key file {path} is {file.Length} bytes long: not a libp2p private key (an Ed25519 key is 68 bytes). Restore the right file, or delete it to start with a new peer ID.", null);
            }

            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IdentityKeyFileException(path, $"The identity key file {path} cannot be read: {e.Message}", e);
        }

        try
        {
            var key = PrivateKey.FromProtobuf(bytes);
            WarnIfOthersCanRead(path, logger);
            var peer = PeerId.FromPublicKey(key.PublicKey);
            LogLoaded(logger, path, peer);
            return key;
        }
        catch (FormatException e)
        {
            throw new IdentityKeyFileException(path, $"The identity key file {path} is not a libp2p Ed25519 private key ({e.Message}). Restore the right file, or delete it to start with a new peer ID.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static bool TryCreate(string path, out PrivateKey key)
    {
        key = PrivateKey.Generate();
        string temporary = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
        byte[] encoded = key.ToProtobuf();
        try
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var file = new FileStream(temporary, options))
            {
                file.Write(encoded);
                file.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                key.Dispose();
                key = null!;
                return false;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            key?.Dispose();
            throw new IdentityKeyFileException(path, $"The identity key file {path} cannot be created: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
            DeleteQuietly(temporary);
        }
    }

    /// <summary>Removes a temporary file left by a failed creation; a failure here must not hide the one being reported.</summary>
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void WarnIfOthersCanRead(string path, ILogger logger)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != 0)
        {
            LogTooOpen(logger, path, mode);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the identity key file {Path} for the new peer {PeerId}")]
    private static partial void LogCreated(ILogger logger, string path, PeerId peerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded peer {PeerId} from the identity key file {Path}")]
    private static partial void LogLoaded(ILogger logger, string path, PeerId peerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The identity key file {Path} can be read by other users (mode {Mode}); restrict it to its owner (chmod 600)")]
    private static partial void LogTooOpen(ILogger logger, string path, UnixFileMode mode);
}
