package io.chainkv.node.replication;

import io.aeron.CncFileDescriptor;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a running node's {@link NodeCounters} from outside its process, through the counters file of the
 * node's media driver, as Aeron's own tools do. For tests, and for operators' tools.
 */
public final class NodeCountersReader
{
    private NodeCountersReader()
    {
    }

    /**
     * @param aeronDir the node's media driver directory.
     * @return counter name (the part after "chainkv node &lt;id&gt;: ") to value.
     * @throws IllegalStateException if the directory has no counters file.
     */
    public static Map<String, Long> read(final File aeronDir)
    {
        final File cncFile = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cncFile.exists())
        {
            throw new IllegalStateException("no media driver counters file at " + cncFile + "; is the node running?");
        }
        final MappedByteBuffer cncByteBuffer = IoUtil.mapExistingFile(cncFile, "cnc");
        try
        {
            final DirectBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cncByteBuffer);
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cncByteBuffer, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cncByteBuffer, metaData),
                StandardCharsets.US_ASCII);
            final Map<String, Long> values = new LinkedHashMap<>();
            reader.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (NodeCounters.NODE_COUNTER_TYPE_ID == typeId)
                {
                    final int colon = label.indexOf(": ");
                    values.put(colon >= 0 ? label.substring(colon + 2) : label, reader.getCounterValue(counterId));
                }
            });
            return values;
        }
        finally
        {
            IoUtil.unmap(cncByteBuffer);
        }
    }
}
