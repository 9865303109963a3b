class PatientsController < ApplicationController
  def index
    @patients = Patient.includes(:appointments).order(:name).page(params[:page])
  end
end
