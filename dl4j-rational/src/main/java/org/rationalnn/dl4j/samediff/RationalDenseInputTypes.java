package org.rationalnn.dl4j.samediff;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.preprocessor.Cnn3DToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;

/**
 * How a {@link RationalDense} configuration meets DL4J's input types: FF, RNN (either format) and CNNFlat directly,
 * CNN and CNN3D through DL4J's usual preprocessor to feed-forward; any other type is rejected, naming it.
 */
final class RationalDenseInputTypes {

    private final RationalDense layer;

    /**
     * The input-type handling of this layer.
     *
     * @param layer the configuration whose nIn, nOut and RNN format it reads and sets
     */
    RationalDenseInputTypes(RationalDense layer) {
        this.layer = layer;
    }

    /**
     * The output type for this input type.
     *
     * @param inputType FF, RNN, CNN, CNNFlat or CNN3D
     * @return {@code InputType.recurrent(nOut, T, format)} for RNN input, else {@code InputType.feedForward(nOut)}
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    InputType outputType(InputType inputType) {
        check(inputType);
        if (inputType.getType() == InputType.Type.RNN) {
            InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
            return InputType.recurrent(layer.getNOut(), r.getTimeSeriesLength(), r.getFormat());
        }
        return InputType.feedForward(layer.getNOut());
    }

    /**
     * Takes nIn (if not set yet, or if {@code override}) from an FF, RNN or CNNFlat input type, and the RNN format
     * from an RNN input type; leaves CNN and CNN3D alone (they arrive through {@link #preProcessor}).
     *
     * @param inputType FF, RNN, CNN, CNNFlat or CNN3D
     * @param override  whether to replace an nIn that is already set
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    void takeSize(InputType inputType, boolean override) {
        check(inputType);
        long size;
        switch (inputType.getType()) {
            case RNN:
                InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
                size = r.getSize();
                layer.setRnnDataFormat(r.getFormat());
                break;
            case CNNFlat:
                size = ((InputType.InputTypeConvolutionalFlat) inputType).getFlattenedSize();
                break;
            case FF:
                size = ((InputType.InputTypeFeedForward) inputType).getSize();
                break;
            default:
                // CNN / CNN3D reach this layer through a preprocessor; nothing to take from the raw type
                return;
        }
        if (layer.getNIn() <= 0 || override) {
            layer.setNIn(size);     // drops the cached parameter shapes if the size changes
        }
    }

    /**
     * DL4J's usual preprocessor for convolutional input.
     *
     * @param inputType FF, RNN, CNN, CNNFlat or CNN3D
     * @return a {@code CnnToFeedForwardPreProcessor} (CNN), a {@code Cnn3DToFeedForwardPreProcessor} (CNN3D), or
     *         null for the other types
     * @throws IllegalStateException    if {@code inputType} is null
     * @throws IllegalArgumentException for any other input type, naming it
     */
    InputPreProcessor preProcessor(InputType inputType) {
        check(inputType);
        switch (inputType.getType()) {
            case CNN:
                InputType.InputTypeConvolutional c = (InputType.InputTypeConvolutional) inputType;
                return new CnnToFeedForwardPreProcessor(c.getHeight(), c.getWidth(), c.getChannels(), c.getFormat());
            case CNN3D:
                InputType.InputTypeConvolutional3D c3 = (InputType.InputTypeConvolutional3D) inputType;
                return new Cnn3DToFeedForwardPreProcessor(c3.getDepth(), c3.getHeight(), c3.getWidth(),
                        c3.getChannels(), c3.getDataFormat() == Convolution3D.DataFormat.NCDHW);
            default:
                return null;
        }
    }

    /** Rejects a null input type and any type but FF, RNN, CNN, CNNFlat and CNN3D. */
    private void check(InputType inputType) {
        if (inputType == null) {
            throw new IllegalStateException(layer.where() + "input type must not be null");
        }
        switch (inputType.getType()) {
            case FF:
            case RNN:
            case CNN:
            case CNNFlat:
            case CNN3D:
                return;
            default:
                throw new IllegalArgumentException(layer.where() + "input type must be one of [FF, RNN, CNN, "
                        + "CNNFlat, CNN3D], got " + inputType.getType() + " (" + inputType + ")");
        }
    }
}
