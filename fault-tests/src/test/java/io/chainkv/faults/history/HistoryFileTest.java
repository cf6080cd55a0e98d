package io.chainkv.faults.history;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A kept history reads back as it was written, so {@code --check} sees what the run saw.
 */
class HistoryFileTest
{
    @Test
    void operationsReadBackAsWritten(@TempDir final Path dir) throws Exception
    {
        final History history = new History();
        final Operation put = history.invoke(1, "k0-0", OpType.PUT, "c1-1", 0);
        history.complete(put.writeOk(history.nowNs(), 7));
        final Operation cas = history.invoke(2, "k0-0", OpType.CAS, "c2-1", 3);
        history.complete(cas.casMismatch(history.nowNs(), 7));
        final Operation get = history.invoke(3, "k0-0", OpType.GET, null, 0);
        history.complete(get.readOk(history.nowNs(), "c1-1", 7));
        final Operation delete = history.invoke(1, "k0-0", OpType.DELETE, null, 0);
        history.complete(delete.unknown(history.nowNs(), "RequestTimeoutException: \"no answer\"\n"));
        history.invoke(2, "k0-0", OpType.PUT, "c2-2", 0);
        history.fault("kill-node", "kill -9 n1 (HEAD)");

        final Path file = dir.resolve("h.jsonl");
        HistoryFile.write(file, history.operations(), history.faults());
        final List<Operation> read = HistoryFile.readOperations(file);

        assertEquals(history.operations().toString(), read.toString());
        assertEquals(Operation.NEVER, read.get(4).completeNs(), "a pending operation never completed");
        assertEquals("RequestTimeoutException: \"no answer\"\n", read.get(3).error());
    }
}
