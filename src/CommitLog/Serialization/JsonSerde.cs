using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CommitLog;

/// <summary>Helpers shared by every <see cref="JsonSerde{T}"/>.</summary>
internal static class JsonSerde
{
    public const string ReflectionWarning =
        "JSON serialization by reflection may need types that trimming removes and code generated at run time; " +
        "pass a source-generated JsonTypeInfo<T> instead.";

    [RequiresUnreferencedCode(ReflectionWarning)]
    [RequiresDynamicCode(ReflectionWarning)]
    public static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions? options)
    {
        options ??= JsonSerializerOptions.Default;
        if (!options.IsReadOnly)
        {
            // Copy, so the caller's options stay editable, and fall back to reflection metadata.
            options = new JsonSerializerOptions(options)
            {
                TypeInfoResolver = options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver(),
            };
            options.MakeReadOnly();
        }

        return (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
