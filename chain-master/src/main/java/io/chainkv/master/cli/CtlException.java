package io.chainkv.master.cli;

/**
 * A chainctl failure with the exit status it means and one sentence telling the operator what to do.
 */
final class CtlException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    CtlException(final int exitCode, final String message)
    {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode()
    {
        return exitCode;
    }
}
