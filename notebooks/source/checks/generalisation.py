def check_generalisation_{{cell}}({{cell}}_general_model, embedded_data):
    """BLEU-1 on unseen validation images of the model's captions, against the most
    frequent caption."""
    model_bleu, baseline_bleu = validation_bleu({{cell}}_general_model, embedded_data)
    return {"BLEU-1 of the most frequent caption minus the model's":
            (baseline_bleu - model_bleu, -BLEU_MARGIN)}
