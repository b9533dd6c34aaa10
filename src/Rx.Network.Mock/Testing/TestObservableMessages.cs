using System.Reactive;

namespace Rx.Network.Mock.Testing;

/// <summary>Checks the scripted messages given to a hot or cold test observable.</summary>
internal static class TestObservableMessages
{
    internal static void Validate<T>(Recorded<Notification<T>>[] messages, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(messages))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(messages, paramName);

        for (var i = 0; i < messages.Length; i++)
        {
            if (messages[i].Value is null)
            {
                throw new ArgumentException($"Message {i} has no notification (a default Recorded value?).", paramName);
            }

            if (messages[i].Value is INotificationPattern)
            {
                throw new ArgumentException(
                    $"Message {i} is a predicate notification; those can only be expected in assertions, not emitted.", paramName);
            }
        }
    }
}
