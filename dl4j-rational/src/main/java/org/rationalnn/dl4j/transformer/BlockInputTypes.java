package org.rationalnn.dl4j.transformer;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;

/**
 * How a {@link RationalTransformerBlock} configuration meets DL4J's input types: RNN input ([mb, d, T] NCW or
 * [mb, T, d] NWC) directly, feed-forward input (one row per time step, e.g. from a {@code DenseLayer} on sequences)
 * through DL4J's feed-forward → RNN preprocessor; any other type is rejected, naming it.
 */
final class BlockInputTypes {

    private final RationalTransformerBlock block;

    /**
     * The input-type handling of this block.
     *
     * @param block the configuration whose dModel and RNN format it reads and sets
     */
    BlockInputTypes(RationalTransformerBlock block) {
        this.block = block;
    }

    /**
     * The output type: the input's, as a recurrent type of dModel channels.
     *
     * @param inputType RNN or FF
     * @return {@code InputType.recurrent(dModel, T, format)}
     * @throws IllegalArgumentException for another input type, or a size that differs from a known dModel
     */
    InputType outputType(InputType inputType) {
        InputType.InputTypeRecurrent r = recurrent(inputType);
        return InputType.recurrent(block.getDModel(), r.getTimeSeriesLength(), r.getFormat());
    }

    /**
     * Takes the RNN format, and dModel (if not set yet, or if {@code override}), from the input type, then validates
     * the block again when dModel was taken.
     *
     * @param inputType RNN or FF
     * @param override  whether to replace a dModel that is already set
     * @throws IllegalArgumentException for another input type, a size that differs from a known dModel (without
     *                                  override), or a dModel that the other settings do not accept
     */
    void takeSize(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent r = recurrent(inputType);
        block.setRnnDataFormat(r.getFormat());
        if (block.getDModel() <= 0 || override) {
            block.setDModel(r.getSize());     // drops the cached parameter shapes if the size changes
            block.validate();
        }
    }

    /**
     * The preprocessor for this input type.
     *
     * @param inputType RNN or FF
     * @return a {@code FeedForwardToRnnPreProcessor} in the FF type's time-distributed format (else the block's
     *         format) for FF input, null for RNN input
     * @throws IllegalArgumentException for another input type, or a size that differs from a known dModel
     */
    InputPreProcessor preProcessor(InputType inputType) {
        InputType.InputTypeRecurrent r = recurrent(inputType);
        return inputType.getType() == InputType.Type.FF ? new FeedForwardToRnnPreProcessor(r.getFormat()) : null;
    }

    /**
     * The input type as a recurrent type (FF input counts as recurrent input of unknown length, in its
     * time-distributed format when it has one, else the block's format).
     */
    private InputType.InputTypeRecurrent recurrent(InputType inputType) {
        InputType.InputTypeRecurrent r;
        if (inputType != null && inputType.getType() == InputType.Type.RNN) {
            r = (InputType.InputTypeRecurrent) inputType;
        } else if (inputType != null && inputType.getType() == InputType.Type.FF) {
            InputType.InputTypeFeedForward ff = (InputType.InputTypeFeedForward) inputType;
            RNNFormat format = ff.getTimeDistributedFormat() instanceof RNNFormat
                    ? (RNNFormat) ff.getTimeDistributedFormat() : block.getRnnDataFormat();
            r = (InputType.InputTypeRecurrent) InputType.recurrent(ff.getSize(), format);
        } else {
            throw new IllegalArgumentException(block.where() + "input type must be RNN ([mb, dModel, T] NCW or "
                    + "[mb, T, dModel] NWC) or FF (per time step, reshaped by a preprocessor), got " + inputType);
        }
        long dModel = block.getDModel();
        if (dModel > 0 && r.getSize() != dModel) {
            throw new IllegalArgumentException(block.where() + "input size must equal dModel = " + dModel + ", got "
                    + r.getSize());
        }
        return r;
    }
}
