using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Rx.Network.Transports;

namespace Rx.Network.Hosting;

/// <summary>
/// Reads the Rx.Network configuration section into <see cref="RxNetworkOptions"/>. The option
/// types of the library are immutable records with shared <c>Default</c> instances, so each is
/// copied before a configured value is set on it (binding into the default would change it for
/// every network in the process). A key that names no setting is an error, as is a value that
/// does not convert or that the setting refuses: a misspelt limit must not silently stay at its
/// default.
/// </summary>
internal static class RxNetworkConfiguration
{
    private static readonly Func<object, object> ShallowCopy = typeof(object)
        .GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!
        .CreateDelegate<Func<object, object>>();

    private static readonly string[] HostKeys =
        [nameof(RxNetworkOptions.Listen), nameof(RxNetworkOptions.IdentityKeyFile), nameof(RxNetworkOptions.Security),
         nameof(RxNetworkOptions.Ping), nameof(RxNetworkOptions.Identify), nameof(RxNetworkOptions.AgentVersion),
         nameof(RxNetworkOptions.Yamux), nameof(RxNetworkOptions.Tcp)];

    /// <summary>Applies every value of <paramref name="section"/> to <paramref name="options"/>.</summary>
    /// <exception cref="RxNetworkConfigurationException">A key or value cannot be used.</exception>
    public static void Apply(IConfiguration section, RxNetworkOptions options)
    {
        var network = (NetworkOptions)ShallowCopy(options.Network);
        foreach (var child in section.GetChildren())
        {
            switch (child.Key)
            {
                case var key when Is(key, nameof(RxNetworkOptions.Listen)):
                    Replace(options.Listen, Strings(child));
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.IdentityKeyFile)):
                    options.IdentityKeyFile = string.IsNullOrWhiteSpace(child.Value) ? null : child.Value;
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.Security)):
                    Replace(options.Security, Strings(child).Select(value => Convert<SecurityProtocol>(child, value)));
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.Ping)):
                    options.Ping = Convert<bool>(child, child.Value);
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.Identify)):
                    options.Identify = Convert<bool>(child, child.Value);
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.AgentVersion)):
                    options.AgentVersion = string.IsNullOrEmpty(child.Value) ? null : child.Value;
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.Yamux)):
                    options.Yamux = BindCopy(child, options.Yamux);
                    break;
                case var key when Is(key, nameof(RxNetworkOptions.Tcp)):
                    options.Tcp = BindCopy(child, options.Tcp ?? TcpTransportOptions.Default);
                    break;
                default:
                    // The network options' own properties sit at the section's top level.
                    SetProperty(network, child, HostKeys);
                    break;
            }
        }

        options.Network = network;
    }

    private static bool Is(string key, string name) => string.Equals(key, name, StringComparison.OrdinalIgnoreCase);

    private static void Replace<T>(IList<T> list, IEnumerable<T> values)
    {
        var items = values.ToList();
        list.Clear();
        foreach (var item in items)
        {
            list.Add(item);
        }
    }

    /// <summary>A list value (<c>Key:0</c>, <c>Key:1</c>, …), or one string.</summary>
    private static IEnumerable<string> Strings(IConfigurationSection section) =>
        section.Value is { } single
            ? (string.IsNullOrWhiteSpace(single) ? [] : [single])
            : section.GetChildren().Select(item => item.Value).Where(value => !string.IsNullOrWhiteSpace(value)).Select(value => value!);

    /// <summary>A copy of <paramref name="current"/> with every value of <paramref name="section"/> set on it.</summary>
    private static T BindCopy<T>(IConfigurationSection section, T current)
        where T : class
    {
        var copy = (T)ShallowCopy(current);
        foreach (var child in section.GetChildren())
        {
            SetProperty(copy, child, []);
        }

        return copy;
    }

    /// <summary>Sets the property <paramref name="child"/> names on <paramref name="target"/>, a private copy.</summary>
    private static void SetProperty(object target, IConfigurationSection child, string[] otherKeys)
    {
        var type = target.GetType();
        var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0 || !IsConfigurable(property.PropertyType))
        {
            var known = otherKeys.Concat(ConfigurableProperties(type)).Order(StringComparer.Ordinal);
            throw new RxNetworkConfigurationException(child.Path, $"'{child.Path}' is not an Rx.Network setting; the settings here are: {string.Join(", ", known)}.", null);
        }

        object? value = IsOptionsType(property.PropertyType)
            ? BindCopy(child, property.GetValue(target) ?? Activator.CreateInstance(property.PropertyType)!)
            : ConvertValue(child, property.PropertyType);
        try
        {
            property.SetValue(target, value);
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentException or InvalidOperationException)
        {
            throw new RxNetworkConfigurationException(child.Path, $"'{child.Path}' = '{child.Value}' is refused: {e.InnerException.Message}", e.InnerException);
        }
    }

    private static object? ConvertValue(IConfigurationSection section, Type type)
    {
        try
        {
            return section.Get(type, binder => binder.ErrorOnUnknownConfiguration = true)
                ?? (type.IsValueType ? Activator.CreateInstance(type) : null);
        }
        catch (InvalidOperationException e)
        {
            throw new RxNetworkConfigurationException(section.Path, $"'{section.Path}' = '{section.Value}' is not a valid {type.Name}: {e.Message}", e);
        }
    }

    private static T Convert<T>(IConfigurationSection section, string? value)
    {
        try
        {
            if (typeof(T).IsEnum)
            {
                return (T)Enum.Parse(typeof(T), value ?? "", ignoreCase: true);
            }

            return (T)System.Convert.ChangeType(value ?? "", typeof(T), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidCastException)
        {
            var hint = typeof(T).IsEnum ? $" (one of {string.Join(", ", Enum.GetNames(typeof(T)))})" : "";
            throw new RxNetworkConfigurationException(section.Path, $"'{section.Path}' = '{value}' is not a valid {typeof(T).Name}{hint}.", e);
        }
    }

    /// <summary>Option records and classes of the library: set property by property on a copy.</summary>
    private static bool IsOptionsType(Type type) =>
        type.IsClass && type != typeof(string) && type.Assembly == typeof(NetworkOptions).Assembly;

    /// <summary>What configuration can express: values, lists of values, and the library's option types (not clocks, logger factories, delegates).</summary>
    private static bool IsConfigurable(Type type) =>
        IsOptionsType(type)
        || type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(Uri)
        || (Nullable.GetUnderlyingType(type) is { } inner && IsConfigurable(inner))
        || (type.IsArray && IsConfigurable(type.GetElementType()!));

    private static IEnumerable<string> ConfigurableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && IsConfigurable(p.PropertyType))
            .Select(p => p.Name);
}
