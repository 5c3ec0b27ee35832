namespace CommitLog;

/// <summary>
/// Thrown by <see cref="IProducer{TKey, TValue}.ProduceBatchAsync(string, IEnumerable{Message{TKey, TValue}}, CancellationToken)"/>
/// when at least one record of the batch was not delivered. <see cref="Results"/> holds one report per record, in the
/// order of the batch: delivered records with their offsets, failed ones with their <see cref="DeliveryReport{TKey, TValue}.Error"/>.
/// <see cref="AggregateException.InnerExceptions"/> holds each distinct error once.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// A record that could not be queued (e.g. <see cref="BufferExhaustedException"/> or a serializer's exception) stops
/// the batch: the records after it are not sent, and their reports carry an <see cref="InvalidOperationException"/>
/// that says so. Records queued before it are still delivered in order.
/// </remarks>
public sealed class ProduceBatchException<TKey, TValue> : AggregateException
{
    internal ProduceBatchException(DeliveryReport<TKey, TValue>[] results)
        : base(Describe(results), Errors(results))
    {
        Results = results;
    }

    /// <summary>Gets one report per record of the batch, in the batch's order.</summary>
    public IReadOnlyList<DeliveryReport<TKey, TValue>> Results { get; }

    private static IEnumerable<Exception> Errors(DeliveryReport<TKey, TValue>[] results)
        => results.Where(r => r.Error is not null).Select(r => r.Error!).Distinct();

    private static string Describe(DeliveryReport<TKey, TValue>[] results)
    {
        int failed = results.Count(r => r.Error is not null);
        return $"{failed} of {results.Length} records of the batch were not delivered; see Results for each record's outcome.";
    }
}
